import { crc32, deflateSync } from 'node:zlib';

/**
 * Small files of real formats, written by hand so the tests need no
 * library and no fixture: a PNG, a PDF, a WAV. Each can carry a marker in
 * its bytes, to check that the relay never stores it in the clear.
 */

/** A PNG of `width` x `height`: a diagonal gradient with a dark band, and `text` in a tEXt chunk. */
export function makePng(width: number, height: number, text = ''): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0: none
    for (let x = 0; x < width; x += 1) {
      const band = Math.abs(x - y) < Math.min(width, height) / 10;
      row[1 + x * 3] = band ? 30 : Math.round((x / width) * 255);
      row[2 + x * 3] = band ? 60 : 120;
      row[3 + x * 3] = band ? 50 : Math.round((y / height) * 255);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    ...(text ? [pngChunk('tEXt', Buffer.from(`Comment\0${text}`, 'latin1'))] : []),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, sum]);
}

/** One page of {@link makePdf}: lines of text over a coloured box, and optionally a raw RGB image filling the page. */
export interface PdfPage {
  lines: string[];
  /** An image drawn over the page below the text (uncompressed RGB, so a page can weigh what a scan weighs). */
  image?: { width: number; height: number; rgb: Uint8Array };
}

/**
 * A valid PDF 1.4 (A4 pages, Helvetica, a cross-reference table with exact
 * offsets). Objects are written in page order, so the first page's come
 * first and the images of later pages after them, as in most real files.
 */
export function makePdf(pages: readonly PdfPage[]): Buffer {
  const objects: Buffer[] = [];
  const add = (body: Buffer | string): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const stream = (dictionary: string, bytes: Uint8Array): Buffer =>
    Buffer.concat([
      Buffer.from(`<< ${dictionary} /Length ${bytes.length} >>\nstream\n`, 'latin1'),
      bytes,
      Buffer.from('\nendstream', 'latin1'),
    ]);
  // 1: catalog, 2: page tree, 3: font; pages from 4 on.
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add('PLACEHOLDER');
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const pageIds: number[] = [];
  pages.forEach((page, index) => {
    const escaped = (line: string) => line.replace(/[\\()]/g, (character) => `\\${character}`);
    const text = page.lines
      .map((line, at) => `BT /F1 ${at === 0 ? 24 : 14} Tf 72 ${700 - at * 28} Td (${escaped(line)}) Tj ET`)
      .join('\n');
    const imageId = page.image
      ? add(
          stream(
            `/Type /XObject /Subtype /Image /Width ${page.image.width} /Height ${page.image.height} /ColorSpace /DeviceRGB /BitsPerComponent 8`,
            page.image.rgb,
          ),
        )
      : null;
    const drawing = [
      ...(imageId ? ['q 451 0 0 300 72 300 cm /Im1 Do Q'] : []),
      `q 0.18 0.36 0.31 rg 72 760 451 40 re f Q`,
      `q 0.9 0.55 0.2 rg 72 ${100 + index * 20} 200 120 re f Q`,
      `0 0 0 rg ${text}`,
    ].join('\n');
    const contentId = add(stream('', Buffer.from(drawing, 'latin1')));
    const resources = `<< /Font << /F1 3 0 R >>${imageId ? ` /XObject << /Im1 ${imageId} 0 R >>` : ''} >>`;
    pageIds.push(
      add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources ${resources} /Contents ${contentId} 0 R >>`),
    );
  });
  objects[1] = Buffer.from(
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`,
    'latin1',
  );
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]?.length ?? 0;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(offset);
    const object = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n')]);
    parts.push(object);
    offset += object.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF',
    '',
  ].join('\n');
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** A mono 16-bit PCM WAV: a sine of `hertz` for `seconds`. */
export function makeWav(seconds: number, hertz = 440, sampleRate = 8000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28); // bytes per second
  wav.writeUInt16LE(2, 32); // bytes per frame
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(samples * 2, 40);
  for (let index = 0; index < samples; index += 1) {
    const fade = Math.min(1, index / 400, (samples - index) / 400);
    wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hertz * index) / sampleRate) * 12_000 * fade), 44 + index * 2);
  }
  return wav;
}
