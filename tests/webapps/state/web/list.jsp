<%@ page contentType="text/plain; charset=UTF-8" import="java.util.List,java.util.ArrayList" %><%
@SuppressWarnings("unchecked")
List<String> list = (List<String>) session.getAttribute("list");
List<String> next = new ArrayList<String>(list == null ? List.<String>of() : list);
next.add("visit " + (next.size() + 1));
// An immutable JDK list (java.util.ImmutableCollections$ListN), as List.copyOf returns.
session.setAttribute("list", List.copyOf(next));
out.println("list size: " + next.size());
%>
