<%@ page contentType="text/plain; charset=UTF-8" import="state.Profile" %><%
Profile profile = (Profile) session.getAttribute("profile");
if (profile == null) { profile = new Profile(); }
int level = profile.levelUp();
session.setAttribute("profile", profile);
out.println("profile level: " + level);
%>
