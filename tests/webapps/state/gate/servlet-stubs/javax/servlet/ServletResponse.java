// Compile-time stand-in (see gate/servlet-stubs/README.md).
package javax.servlet;

public interface ServletResponse {
    void setContentType(String type);

    java.io.PrintWriter getWriter() throws java.io.IOException;
}
