// The capabilities-demo example (in progress).
