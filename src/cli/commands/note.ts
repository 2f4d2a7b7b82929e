import { formatOffset } from '../../analysis/format';
import { noteLabel } from '../../analysis/timeline';
import type { NoteKind } from '../../core/events';
import { NoteError, sendNote, validateNote } from '../../engine/notes';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';

export interface NoteCommandOptions {
  run: string;
  finding: boolean;
  action: boolean;
  owner?: string;
  json: boolean;
}

/** `gameday note "text" [--run DIR | latest] [--finding | --action --owner NAME]`: into a live run's journal. */
export async function noteCommand(text: string, options: NoteCommandOptions): Promise<number> {
  if (options.owner !== undefined && !options.action)
    throw new UsageError('--owner names who does an action item: add --action');
  if (options.action && options.owner === undefined) throw new UsageError('--action needs --owner NAME: who does it');
  const kind: NoteKind = options.action ? 'action' : options.finding ? 'finding' : 'note';
  try {
    const note = validateNote({ kind, text, owner: options.owner });
    const sent = await sendNote(note, options.run);
    if (options.json) process.stdout.write(JSON.stringify(sent, null, 2) + '\n');
    else {
      // Offsets count from the start of the observation; a note written before it is at a negative one.
      const offset = sent.offsetMs;
      const at =
        offset === null ? '' : ` at ${offset < 0 ? `-${formatOffset(-offset).slice(1)}` : formatOffset(offset)}`;
      process.stdout.write(`${noteLabel(note)} noted in run ${sent.runId}${at}: ${sent.event.text}\n`);
    }
    return exitCodes.passed;
  } catch (error) {
    if (error instanceof NoteError) throw new UsageError(error.message);
    throw error;
  }
}
