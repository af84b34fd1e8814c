<%@ page contentType="text/plain; charset=UTF-8" import="state.PlainBean" %><%
PlainBean bean = (PlainBean) session.getAttribute("plain");
if (bean == null) { bean = new PlainBean(); }
int visits = bean.visit();
session.setAttribute("plain", bean);
out.println("plain bean visits: " + visits);
%>
