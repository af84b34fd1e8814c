<%@ page contentType="text/plain; charset=UTF-8" %><%
// Every visit leaves a count in the session, then sends the browser on to plain.jsp, as a
// form's post-redirect-get does: two requests per page load. The Location is relative, as
// the browser receives it from many frameworks; `sendRedirect` would make it absolute with
// the Host nginx passes on, which is another matter (a redirect off the lab is a failure).
Integer hops = (Integer) session.getAttribute("hops");
session.setAttribute("hops", hops == null ? 1 : hops + 1);
response.setStatus(302);
response.setHeader("Location", "plain.jsp");
%>
