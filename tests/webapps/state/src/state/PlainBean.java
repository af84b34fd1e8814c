package state;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A plain Serializable bean: every visit is appended. */
public class PlainBean implements Serializable {
    private static final long serialVersionUID = 1L;
    private final List<Integer> visits = new ArrayList<Integer>();

    public int visit() {
        visits.add(visits.size() + 1);
        return visits.size();
    }
}
