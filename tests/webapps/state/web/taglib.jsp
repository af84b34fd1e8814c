<%@ page contentType="text/plain; charset=UTF-8" %><%@ taglib uri="http://msmlab.test/tags" prefix="m" %><m:hello/>
