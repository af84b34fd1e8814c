<%--
  The seed's ShowSession page, plus a per-session visit counter.
    ?format=json  the same facts as one JSON object (what `msmlab verify` reads)
    ?probe=1      answers without touching any session (readiness probes must not fill the store)
--%><%@ page session="false" contentType="text/plain; charset=UTF-8" import="java.net.InetAddress" %><%
    boolean probe = request.getParameter("probe") != null;
    boolean json = "json".equals(request.getParameter("format"));
    String serverIp = InetAddress.getLocalHost().getHostAddress();
    String serverName = request.getServerName();
    String backend = InetAddress.getLocalHost().getHostName();
    String sessionId = null;
    int counter = 0;
    if (!probe) {
        HttpSession session = request.getSession(true);
        // Atomic within this Tomcat: parallel requests that share the session object here
        // must not lose each other's update, so that the concurrency drill counts only what
        // msm's lockingMode decides (requests on different Tomcats).
        synchronized (session) {
            Integer previous = (Integer) session.getAttribute("counter");
            counter = previous == null ? 1 : previous + 1;
            // Setting the attribute marks the session dirty, so msm writes it back to the store.
            session.setAttribute("counter", Integer.valueOf(counter));
        }
        sessionId = session.getId();
    }
    if (json) {
        response.setContentType("application/json; charset=UTF-8");
        out.print("{\"sessionId\":" + (sessionId == null ? "null" : "\"" + sessionId + "\"")
                + ",\"serverIp\":\"" + serverIp + "\""
                + ",\"serverName\":\"" + serverName.replace("\\", "\\\\").replace("\"", "\\\"") + "\""
                + ",\"backend\":\"" + backend + "\""
                + ",\"counter\":" + counter + "}");
    } else if (probe) {
        out.println("ready " + backend);
    } else {
        out.println("Session id is " + sessionId);
        out.println("Server IP is " + serverIp);
        out.println("Server name is " + serverName);
        out.println("Visits in this session: " + counter);
    }
%>
