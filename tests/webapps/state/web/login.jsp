<%@ page contentType="text/plain; charset=UTF-8" %><%
// GET: the login form's page, which opens a session (as most forms do, for a CSRF token).
// POST user=NAME: logs in, and changes the session id as every login should, against session
// fixation (Tomcat's authenticators, Spring Security and Shiro do the same).
if ("POST".equals(request.getMethod())) {
    String user = request.getParameter("user");
    session.setAttribute("user", user == null ? "anonymous" : user);
    request.changeSessionId();
    out.println("logged in as " + session.getAttribute("user"));
} else {
    if (session.getAttribute("form") == null) { session.setAttribute("form", Long.toHexString(System.nanoTime())); }
    Object user = session.getAttribute("user");
    out.println(user == null ? "not logged in" : "logged in as " + user);
}
%>
