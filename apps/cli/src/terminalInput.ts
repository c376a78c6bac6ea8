import { createInterface } from 'node:readline/promises';

/** Where the CLI reads from and writes to; a test passes its own. */
export interface CliIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** A problem with how the CLI was called: printed as is, exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** All of standard input, without one trailing newline (as `docker login --password-stdin`). */
export async function readAllStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(io: CliIo, question: string): Promise<string> {
  const { stdin, stderr } = io;
  if (!stdin.isTTY) throw new UsageError('No terminal to ask for the password.');
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (text: string) => {
        for (const character of text) {
          if (character === '\r' || character === '\n' || character === '\u0004') {
            stdin.off('data', onData);
            stderr.write('\n');
            resolve(value);
            return;
          }
          if (character === '\u0003') {
            stdin.off('data', onData);
            stderr.write('\n');
            reject(new UsageError('Cancelled.'));
            return;
          }
          if (character === '\u007f' || character === '\b') value = value.slice(0, -1);
          else value += character;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** Reads a visible line from the terminal. */
export async function promptLine(io: CliIo, question: string): Promise<string> {
  if (!io.stdin.isTTY) throw new UsageError('No terminal to ask for the code.');
  const readline = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return (await readline.question(question)).trim();
  } finally {
    readline.close();
  }
}

export interface PasswordSource {
  passwordStdin?: boolean;
  /** Ask twice and compare (when choosing a password). */
  confirm?: boolean;
}

/** The password from --password-stdin, else COFFRE_PASSWORD, else a hidden prompt. */
export async function readPassword(io: CliIo, source: PasswordSource): Promise<string> {
  let password: string;
  if (source.passwordStdin) {
    password = await readAllStdin(io.stdin);
  } else if (io.env.COFFRE_PASSWORD !== undefined && io.env.COFFRE_PASSWORD !== '') {
    password = io.env.COFFRE_PASSWORD;
  } else if (io.stdin.isTTY) {
    password = await promptHidden(io, 'Password: ');
    if (source.confirm && (await promptHidden(io, 'Password again: ')) !== password) {
      throw new UsageError('The two passwords are not the same.');
    }
  } else {
    throw new UsageError('No password given: use --password-stdin, set COFFRE_PASSWORD, or run in a terminal.');
  }
  if (password.length === 0) throw new UsageError('The password must not be empty.');
  return password;
}
