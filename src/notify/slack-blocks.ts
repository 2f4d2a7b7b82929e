import type { Message } from './message';

/**
 * A composed message as Slack's Block Kit lays it out, with the `text` fallback Slack shows
 * in notifications and screen readers. Headlines (a thread's first message, a verdict) get
 * a header, their paragraphs and a grid of fields; an update is one section. Slack's
 * limits are kept (header 150 characters, section 3000, field 2000, 10 fields a section,
 * 10 context elements, 50 blocks); what the text says is escaped, so a `<` in an error
 * message cannot turn into a link or a mention.
 */

export type SlackText = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

const limits = { header: 150, section: 3000, field: 2000, fields: 10, context: 10, blocks: 50, text: 4000 };

export function slackPayload(message: Message): SlackPayload {
  const mentions = (message.mention ?? []).map(mentionToken).join(' ');
  const called = mentions ? `${mentions} ` : '';
  const blocks: SlackBlock[] = [];
  const body = (message.body ?? []).filter((paragraph) => paragraph.trim() !== '');
  if (message.weight === 'headline') {
    blocks.push({
      type: 'header',
      text: { type: 'plain_text', text: cut(`:${message.icon}: ${message.title}`, limits.header), emoji: true },
    });
    if (mentions) blocks.push(section(mentions));
    for (const paragraph of body) blocks.push(section(cut(escape(paragraph), limits.section)));
    const fields = (message.fields ?? []).map(({ label, value }): SlackText => ({
      type: 'mrkdwn',
      text: cut(`*${escape(label)}*\n${escape(value)}`, limits.field),
    }));
    for (let index = 0; index < fields.length; index += limits.fields)
      blocks.push({ type: 'section', fields: fields.slice(index, index + limits.fields) });
  } else {
    const lines = [`:${message.icon}: ${called}${escape(message.title)}`, ...body.map(escape)];
    blocks.push(section(cut(lines.join('\n'), limits.section)));
  }
  const context: SlackText[] = [
    ...(message.context ?? []).map((line): SlackText => ({ type: 'mrkdwn', text: cut(escape(line), limits.field) })),
    ...(message.links ?? []).map((link): SlackText => ({
      type: 'mrkdwn',
      text: `<${link.url}|${escape(link.label)}>`,
    })),
  ].slice(0, limits.context);
  if (context.length > 0) blocks.push({ type: 'context', elements: context });
  return { text: cut(`${called}${escape(message.title)}`, limits.text), blocks: blocks.slice(0, limits.blocks) };
}

/** Slack's syntax for calling a member (`<@U…>`), a user group (`<!subteam^S…>`) or `<!here>` / `<!channel>`. */
export function mentionToken(who: string): string {
  if (who === '@here' || who === '@channel') return `<!${who.slice(1)}>`;
  return who.startsWith('S') ? `<!subteam^${who}>` : `<@${who}>`;
}

/** The three characters Slack's mrkdwn reads as control: escaped as its docs say. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
