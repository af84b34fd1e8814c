// Compile-time stand-in (see gate/servlet-stubs/README.md).
package javax.servlet.http;

public interface HttpSession {
    Object getAttribute(String name);

    void setAttribute(String name, Object value);
}
