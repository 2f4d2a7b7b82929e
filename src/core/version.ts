// eslint-disable-next-line @typescript-eslint/no-require-imports
export const gamedayVersion: string = require('../../package.json').version;
