package state;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * A Serializable bean whose own writeObject predates its `level` field and forgets it: the
 * serialized size never changes, and under Java serialization `level` is back to 0 on every
 * Tomcat that loads the session.
 */
public class Profile implements Serializable {
    private static final long serialVersionUID = 1L;
    private String name = "visitor";
    private int level;

    public int levelUp() {
        return ++level;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.writeUTF(name);
    }

    private void readObject(ObjectInputStream in) throws IOException {
        name = in.readUTF();
    }
}
