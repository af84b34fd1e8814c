// Compile-time stand-in (see gate/servlet-stubs/README.md).
package javax.servlet.http;

public interface HttpServletRequest extends javax.servlet.ServletRequest {
    HttpSession getSession();
}
