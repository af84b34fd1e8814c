// Compile-time stand-in (see gate/servlet-stubs/README.md).
package javax.servlet;

public class ServletException extends Exception {
    private static final long serialVersionUID = 1L;
}
