package state;

import java.util.ArrayList;
import java.util.List;

/** A shopping cart that, like Tomcat's examples DummyCart, does NOT implement Serializable. */
public class Cart {
    private final List<String> items = new ArrayList<String>();

    public int add(String item) {
        items.add(item);
        return items.size();
    }
}
