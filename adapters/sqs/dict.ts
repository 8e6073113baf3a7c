// Maps keyed by client-chosen names (attribute names, tag keys, form field segments) are
// null-prototype objects: a name like "__proto__" or "constructor" is then just a key,
// never a path into Object.prototype.

export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);
