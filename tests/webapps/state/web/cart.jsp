<%@ page contentType="text/plain; charset=UTF-8" import="state.Cart" %><%
Cart cart = (Cart) session.getAttribute("cart");
if (cart == null) { cart = new Cart(); }
String item = request.getParameter("item");
int items = cart.add(item == null ? "item" : item);
session.setAttribute("cart", cart);
out.println("items in the cart: " + items);
%>
