/**
 * From query bytes to response bytes, without sockets: the server's whole protocol logic,
 * so it can be tested with plain buffers.
 *
 * Behaviour of an authoritative-only server (RFC 1035, 2308, 6891):
 * - answers from the zone (NOERROR, NXDOMAIN) have AA set; every response has RA clear
 *   and copies ID, RD and the question;
 * - a packet that can't be parsed gets FORMERR (when at least its header is readable);
 *   responses and anything shorter than a header are dropped, so the server can't be
 *   made to talk to itself;
 * - opcodes other than QUERY get NOTIMP, classes other than IN and zone transfers REFUSED;
 * - EDNS is echoed; a UDP answer larger than the client's buffer is truncated (TC) so the
 *   client retries over TCP.
 */

import * as dnsPacket from 'dns-packet';
import type { Answer, OptAnswer, Packet, Question } from 'dns-packet';
import { Lookup, ZoneRecord } from './types';
import type { Zone } from './zone';

export type Transport = 'udp' | 'tcp';

export interface Exchange {
  readonly response: Buffer;
  readonly rcode: Rcode;
  readonly question?: { readonly name: string; readonly type: string };
  readonly lookup?: Lookup;
  readonly truncated: boolean;
}

const headerBytes = 12;
const classicUdpLimit = 512;
/** What we advertise and the most we send over UDP (the DNS flag day 2020 value). */
export const ednsUdpPayloadSize = 1232;
const maxTcpMessage = 65_535;

const rcodeNumbers = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = keyof typeof rcodeNumbers;

/** The response to one query, or undefined when the packet must be dropped. */
export function answerQuery(query: Buffer, zone: Zone, transport: Transport): Exchange | undefined {
  if (query.length < headerBytes) return undefined;
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  const isResponse = (flags & 0x8000) !== 0;
  if (isResponse) return undefined;
  const opcode = (flags >> 11) & 0xf;
  const recursionDesired = (flags & dnsPacket.RECURSION_DESIRED) !== 0;

  let decoded: Packet;
  try {
    decoded = dnsPacket.decode(query);
  } catch {
    return bare(id, opcode, recursionDesired, 'FORMERR');
  }
  const questions = decoded.questions ?? [];
  const rawQuestion = questions.length === 1 ? firstQuestionBytes(query) : undefined;
  if (questions.length !== 1 || rawQuestion === undefined)
    return bare(id, opcode, recursionDesired, opcode === 0 ? 'FORMERR' : 'NOTIMP');
  const [question] = questions;
  const opt = (decoded.additionals ?? []).find((record): record is OptAnswer => record.type === 'OPT');
  const reply = (rcode: Rcode, body: Pick<BuildArgs, 'answers' | 'authorities' | 'lookup'> = {}): Exchange =>
    build({ id, opcode, recursionDesired, rcode, question, rawQuestion, opt, transport, ...body });

  if (opcode !== 0) return reply('NOTIMP');
  if ((question.class ?? 'IN') !== 'IN') return reply('REFUSED');
  if (question.type === 'AXFR' || question.type === 'IXFR') return reply('REFUSED');

  const lookup = zone.lookup(question.name, question.type);
  return reply(lookup.rcode, {
    answers: lookup.answers.map(toWire),
    authorities: lookup.authorities.map(toWire),
    lookup,
  });
}

interface BuildArgs {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  rcode: Rcode;
  question: Question;
  /** The question exactly as the client sent it (case, class and type bits included). */
  rawQuestion: Buffer;
  opt: OptAnswer | undefined;
  transport: Transport;
  answers?: Answer[];
  authorities?: Answer[];
  lookup?: Lookup;
}

function build(args: BuildArgs): Exchange {
  const additionals: Answer[] =
    args.opt === undefined
      ? []
      : [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: ednsUdpPayloadSize,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ];
  const encode = (truncated: boolean): Buffer =>
    withQuestion(
      dnsPacket.encode({
        id: args.id,
        type: 'response',
        flags: headerFlags(args.opcode, args.recursionDesired, args.rcode, truncated),
        questions: [],
        answers: truncated ? [] : (args.answers ?? []),
        authorities: truncated ? [] : (args.authorities ?? []),
        additionals,
      }),
      args.rawQuestion,
    );
  const exchange = {
    rcode: args.rcode,
    question: { name: args.question.name, type: args.question.type },
    lookup: args.lookup,
  };
  const full = encode(false);
  const limit = args.transport === 'tcp' ? maxTcpMessage : udpLimit(args.opt);
  if (full.length <= limit) return { ...exchange, response: full, truncated: false };
  return { ...exchange, response: encode(true), truncated: true };
}

/**
 * Puts the client's question bytes back after the header. Echoing the bytes rather than
 * re-encoding the decoded question keeps unknown classes and types, and labels that are not
 * valid UTF-8, exactly as sent. Safe because dns-packet writes no compression pointers, so
 * nothing after the insertion point refers to an offset.
 */
function withQuestion(encodedWithoutQuestion: Buffer, rawQuestion: Buffer): Buffer {
  const response = Buffer.concat([
    encodedWithoutQuestion.subarray(0, headerBytes),
    rawQuestion,
    encodedWithoutQuestion.subarray(headerBytes),
  ]);
  response.writeUInt16BE(1, 4);
  return response;
}

/** The bytes of the first question; undefined if its name uses a pointer or runs off the end. */
function firstQuestionBytes(query: Buffer): Buffer | undefined {
  let offset = headerBytes;
  for (;;) {
    if (offset >= query.length) return undefined;
    const length = query[offset];
    if (length === 0) break;
    if ((length & 0xc0) !== 0) return undefined;
    offset += 1 + length;
  }
  const end = offset + 1 + 4;
  return end <= query.length ? query.subarray(headerBytes, end) : undefined;
}

/**
 * SERVFAIL for a query whose handling threw: the server's own bug must cost the client one
 * failed answer, not the server process. Undefined when the packet is to be dropped anyway.
 */
export function serverFailure(query: Buffer): Buffer | undefined {
  if (query.length < headerBytes || (query.readUInt16BE(2) & 0x8000) !== 0) return undefined;
  const flags = query.readUInt16BE(2);
  return bare(query.readUInt16BE(0), (flags >> 11) & 0xf, (flags & dnsPacket.RECURSION_DESIRED) !== 0, 'SERVFAIL')
    .response;
}

/** A response with no question section, for packets whose question can't be trusted. */
function bare(id: number, opcode: number, recursionDesired: boolean, rcode: Rcode): Exchange {
  const response = dnsPacket.encode({
    id,
    type: 'response',
    flags: headerFlags(opcode, recursionDesired, rcode, false),
    questions: [],
  });
  return { response, rcode, truncated: false };
}

/** AA only on answers from the zone's data; a refusal or an error speaks for no zone. */
function headerFlags(opcode: number, recursionDesired: boolean, rcode: Rcode, truncated: boolean): number {
  const authoritative = rcode === 'NOERROR' || rcode === 'NXDOMAIN';
  return (
    (opcode << 11) |
    (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    (recursionDesired ? dnsPacket.RECURSION_DESIRED : 0) |
    rcodeNumbers[rcode]
  );
}

function udpLimit(opt: OptAnswer | undefined): number {
  if (opt === undefined) return classicUdpLimit;
  return Math.max(classicUdpLimit, Math.min(opt.udpPayloadSize, ednsUdpPayloadSize));
}

function toWire(record: ZoneRecord): Answer {
  switch (record.type) {
    case 'TXT':
      return { name: record.name, type: 'TXT', ttl: record.ttl, class: 'IN', data: [...record.data] };
    case 'SOA':
      return { name: record.name, type: 'SOA', ttl: record.ttl, class: 'IN', data: { ...record.data } };
    default:
      return { name: record.name, type: record.type, ttl: record.ttl, class: 'IN', data: record.data };
  }
}

/** Length-prefixed framing of DNS over TCP (RFC 1035 4.2.2): splits a byte stream into messages. */
export class TcpFramer {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.buffered.length >= 2) {
      const length = this.buffered.readUInt16BE(0);
      if (this.buffered.length < 2 + length) break;
      messages.push(this.buffered.subarray(2, 2 + length));
      this.buffered = this.buffered.subarray(2 + length);
    }
    return messages;
  }
}

export function frameTcp(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}
