<%@ page contentType="text/plain; charset=UTF-8" %><%@ taglib uri="http://msmlab.test/no-such-taglib" prefix="x" %><x:nothing/>
