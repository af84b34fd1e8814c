<%@ page contentType="text/plain; charset=UTF-8" %><%
// Every visit leaves a count in the session, then sends the browser on to plain.jsp with a
// relative Location, as a form's post-redirect-get does: two requests per page load.
Integer hops = (Integer) session.getAttribute("hops");
session.setAttribute("hops", hops == null ? 1 : hops + 1);
response.sendRedirect("plain.jsp");
%>
