<%@ page contentType="text/plain; charset=UTF-8" import="java.util.*,java.util.concurrent.TimeUnit" %><%
// A HashSet of enums, made with room to spare: Java's form of it records the capacity, which a
// round trip shrinks, and lists the enums in identity-hash order, which differs between JVMs.
@SuppressWarnings("unchecked")
Set<TimeUnit> tags = (Set<TimeUnit>) session.getAttribute("tags");
if (tags == null) {
    tags = new HashSet<TimeUnit>(256);
    tags.addAll(Arrays.asList(TimeUnit.values()));
}
session.setAttribute("tags", tags);
out.println("tags: " + tags.size());
%>
