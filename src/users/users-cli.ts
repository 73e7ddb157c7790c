import { parseArgs } from 'node:util';
import type { Coxcox } from '../coxcox.ts';
import { USER_ROLES, type UserRole, Users } from './users.ts';

export interface UsersCliIo {
  /** Reads the password piped in (`--password-stdin`): passwords never go in argv, where `ps` shows them. */
  readStdin(): Promise<string>;
  out(text: string): void;
  err(text: string): void;
  withCoxcox<T>(work: (coxcox: Coxcox) => Promise<T>): Promise<T>;
}

const USAGE = 'users create --tenant ID --email E --password-stdin [--role admin|agent] [--name N]';

/** `coxcox users create …`: the first admin (or anyone) from the command line. */
export async function runUsersCli(argv: string[], io: UsersCliIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'create') {
    io.err(`users: the only action is \`${USAGE}\`\n`);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      tenant: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'admin' },
      'password-stdin': { type: 'boolean' },
    },
  });
  if (!values.tenant || !values.email || !values['password-stdin']) {
    io.err(`users create: --tenant, --email and --password-stdin are required\n  ${USAGE}\n`);
    return 2;
  }
  if (!(USER_ROLES as readonly string[]).includes(values.role!)) {
    io.err(`users create: --role must be one of ${USER_ROLES.join(', ')}\n`);
    return 2;
  }
  // One line: `echo "$PASSWORD" | coxcox users create …` ends it with a newline that is not part of it.
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  return io.withCoxcox(async (coxcox) => {
    const user = await new Users(coxcox.store.db).create({
      tenantId: values.tenant!,
      email: values.email!,
      password,
      role: values.role as UserRole,
      ...(values.name ? { name: values.name } : {}),
    });
    io.out(`${JSON.stringify(user, null, 2)}\n`);
    return 0;
  });
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
