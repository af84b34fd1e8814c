package state;

import java.io.Serializable;

/** Serializable, but it holds a Thread, which is not: Java serialization fails on it. */
public class Worker implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Thread thread = new Thread();
    private int runs;

    public int run() {
        return ++runs;
    }
}
