// Compile-time stand-in (see gate/servlet-stubs/README.md).
package javax.servlet;

public interface ServletRequest {
}
