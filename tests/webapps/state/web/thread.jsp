<%@ page contentType="text/plain; charset=UTF-8" import="state.Worker" %><%
Worker worker = (Worker) session.getAttribute("worker");
if (worker == null) { worker = new Worker(); }
int runs = worker.run();
session.setAttribute("worker", worker);
out.println("worker runs: " + runs);
%>
