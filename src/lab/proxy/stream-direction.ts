export const streamDirections = ['upstream', 'downstream'] as const;

/** upstream = bytes from the client to the server; downstream = server to client. */
export type StreamDirection = (typeof streamDirections)[number];
