/** class-transformer step for text fields: surrounding whitespace is dropped before validation; non-strings pass unchanged. */
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
