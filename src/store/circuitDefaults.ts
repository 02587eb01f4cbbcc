/** The defaults of a circuit the user leaves open (the same as `lab circuit`'s). */
export const DEFAULT_CIRCUIT_K = 5;
export const DEFAULT_CIRCUIT_EXAMPLES = 16;
export const DEFAULT_CIRCUIT_RANDOM = 20;
