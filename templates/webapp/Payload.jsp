<%--
  The page `msmlab bench` drives: it keeps an object graph of a chosen size in the session and
  bumps a counter on every request, so msm loads, serializes and stores the whole session each
  time. Query parameters:
    kb=N           about N KiB of data in the session (0 to 1024)
    attributes=N   spread over N session attributes (1 to 256)
    shape=plain    each attribute one String
    shape=collections  each attribute an ArrayList of HashMap rows (Integer, Long, String,
                   an ArrayList of Strings), about 100 bytes of data per row
  Only JDK types: xstream (1.4.18 and later) refuses application classes and kryo 4 cannot
  read Java 9's immutable collections, so the graph is built from ArrayList and HashMap.
  Answers "ok <counter> <backend>", a few bytes, so the network does not dominate.
--%><%@ page session="false" contentType="text/plain; charset=UTF-8" import="java.util.*,java.net.InetAddress" %><%!
    static int param(HttpServletRequest request, String name, int fallback, int min, int max) {
        String v = request.getParameter(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            return n < min ? min : (n > max ? max : n);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** A deterministic text of exactly `length` ASCII characters. */
    static String text(int seed, int length) {
        StringBuilder b = new StringBuilder(length);
        int x = seed * 7919 + 17;
        while (b.length() < length) {
            x = x * 1103515245 + 12345;
            b.append((char) ('a' + ((x >>> 16) & 0x7fff) % 26));
        }
        return b.toString();
    }

    static Object attribute(int index, int bytes, boolean collections) {
        if (!collections) {
            return text(index, bytes);
        }
        int rows = Math.max(1, bytes / 100);
        ArrayList<HashMap<String, Object>> list = new ArrayList<HashMap<String, Object>>(rows);
        for (int r = 0; r < rows; r++) {
            HashMap<String, Object> row = new HashMap<String, Object>();
            int seed = index * 100003 + r;
            row.put("id", Integer.valueOf(r));
            row.put("amount", Long.valueOf(seed * 31L));
            row.put("name", text(seed, 16));
            row.put("note", text(seed + 1, 40));
            ArrayList<String> tags = new ArrayList<String>(2);
            tags.add(text(seed + 2, 8));
            tags.add(text(seed + 3, 8));
            row.put("tags", tags);
            list.add(row);
        }
        return list;
    }
%><%
    int kb = param(request, "kb", 4, 0, 1024);
    int attributes = param(request, "attributes", 4, 1, 256);
    boolean collections = !"plain".equals(request.getParameter("shape"));
    String shape = kb + "KiB/" + attributes + "/" + (collections ? "collections" : "plain");
    HttpSession session = request.getSession(true);
    // Built once per session (or when the shape asked for changes), then carried along.
    if (!shape.equals(session.getAttribute("payload"))) {
        int each = kb * 1024 / attributes;
        for (int i = 0; i < attributes; i++) {
            session.setAttribute("payload-" + i, attribute(i, each, collections));
        }
        session.setAttribute("payload", shape);
    }
    Integer previous = (Integer) session.getAttribute("counter");
    int counter = previous == null ? 1 : previous.intValue() + 1;
    // A changed attribute makes msm write the whole session back to the store.
    session.setAttribute("counter", Integer.valueOf(counter));
    out.print("ok " + counter + " " + InetAddress.getLocalHost().getHostName() + "\n");
%>
