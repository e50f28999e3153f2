// V8 keeps `a + b` of 13 characters or more as a rope: a node pointing at
// both halves. A rope kept for good costs its node on top of the pieces, and
// every charCodeAt on it walks the rope (hashing a pod name for its address
// did that per character). Reading one character flattens the rope in place
// into one plain string, and the GC then drops the rope node.

export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
