<%@ page contentType="text/plain; charset=UTF-8" %><%
// An absolute Location built from the request, as Spring Security's login entry point builds
// it (sendRedirect is relative by default from Tomcat 8.5 on, so the header is set here).
response.setStatus(302);
response.setHeader("Location", request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort() + request.getContextPath() + "/plain.jsp");
%>
