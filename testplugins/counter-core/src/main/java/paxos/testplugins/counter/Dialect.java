package paxos.testplugins.counter;

import java.util.OptionalLong;

/**
 * What one version of the counter understands: the new value after {@code op arg}, or empty for
 * an operation this version does not know (the counter then answers "unknown" and keeps its
 * value). Called on the group's execution thread; must be a pure function of its arguments, or
 * throw (the poison build does, on purpose).
 */
@FunctionalInterface
public interface Dialect {
    /**
     * @param op the command's operation, e.g. {@code add}
     * @param arg its argument (0 when the command has none)
     * @param value the counter's value before the command
     */
    OptionalLong apply(String op, long arg, long value);
}
