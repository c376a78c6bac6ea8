import type { Command } from 'commander';
import { deviceIdFromInput } from '@coffre/client';
import type { CliContext } from '../CliContext.ts';
import { table, day } from '../table.ts';

/** `coffre devices`: the devices signed in to the account. */
export function registerDeviceCommands(program: Command, context: CliContext): void {
  const { print, signedIn } = context;
  const devices = program.command('devices').description('The devices signed in to your account.');
  devices
    .command('list')
    .description('List your devices; the current one is marked with *.')
    .action(async (_options: unknown, command: Command) => {
      const account = await signedIn(command);
      const list = await account.listDevices();
      print(
        table([
          ['', 'ID', 'NAME', 'ADDED', 'LAST SEEN', 'STATUS'],
          ...list.map((device) => [
            device.current ? '*' : '',
            device.id,
            device.name,
            day(device.createdAt),
            day(device.lastSeenAt),
            device.revokedAt === null ? 'active' : `revoked ${day(device.revokedAt)}`,
          ]),
        ]),
      );
    });
  devices
    .command('revoke')
    .description('Revoke a device: its sessions end and it must sign in again with the password.')
    .argument('<deviceId>', 'id from `coffre devices list`')
    .action(async (id: string, _options: unknown, command: Command) => {
      const account = await signedIn(command);
      await account.revokeDevice(deviceIdFromInput(id));
      print(`Revoked device ${id}.`);
    });
}
