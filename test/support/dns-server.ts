// A tiny authoritative DNS server on 127.0.0.1 (UDP, random port) that answers TXT questions from
// records the test publishes: the resolver a server running as a child process is pointed at
// (SSO_BINDING_DNS_SERVERS), so binding challenges are checked through the real DNS path without
// real DNS. Names without records answer NXDOMAIN (RFC 1035 §4.1.1 RCODE 3); other types NOERROR
// with no answers. Only what Node's resolver (c-ares) sends is handled: one question, EDNS ignored.
import { createSocket, type Socket } from 'node:dgram';

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, the value for SSO_BINDING_DNS_SERVERS. */
  readonly address: string;
  publish(name: string, ...values: string[]): void;
  /** Forgets every record and look-up. */
  clear(): void;
  /** Names asked for TXT, in order (lower case). */
  readonly lookups: string[];
  close(): Promise<void>;
}

const TXT = 16;

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  for (;;) {
    const len = msg[i];
    if (len === undefined) throw new Error('truncated name');
    if (len === 0) return { name: labels.join('.'), end: i + 1 };
    if (len >= 0xc0) throw new Error('compressed question names are not expected');
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
}

/** RFC 1035 §3.3.14: TXT RDATA is one or more <character-string>s of up to 255 octets each. */
function txtRdata(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

function answer(query: Buffer, records: Map<string, string[]>, lookups: string[]): Buffer {
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const key = name.toLowerCase();
  if (qtype === TXT) lookups.push(key);
  const values = records.get(key);
  const answers = qtype === TXT && values ? values : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  // QR=1, opcode 0, AA=1, RD copied, RA=1; RCODE 3 (NXDOMAIN) when the name has no records.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (values ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const rrs = answers.map((v) => {
    const rdata = txtRdata(v);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(TXT, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(0, 6); // TTL 0: nothing cached between checks
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return Buffer.concat([header, question, ...rrs]);
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, string[]>();
  const lookups: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    try {
      socket.send(answer(msg, records, lookups), rinfo.port, rinfo.address);
    } catch {
      // Not a question this server understands: no answer (the resolver times out).
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    lookups,
    publish(name, ...values) {
      const key = name.toLowerCase();
      records.set(key, [...(records.get(key) ?? []), ...values]);
    },
    clear() {
      records.clear();
      lookups.length = 0;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
