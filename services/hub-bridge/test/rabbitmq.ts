import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A vHost of our own on the shared RabbitMQ, so parallel test runs never see each other's queues. */
export async function createTestVhost(): Promise<{ vhost: string; drop(): Promise<void> }> {
  const vhost = `hub-bridge-test-${randomUUID().slice(0, 8)}`;
  await run('rabbitmqctl', ['-q', 'add_vhost', vhost]);
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  return {
    vhost,
    async drop() {
      await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => {});
    },
  };
}

/** Broker-side ids of the connections of one client (by connection name) on one vHost. */
export async function connectionsOf(vhost: string, connectionName: string): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'list_connections',
    '--no-table-headers',
    'pid',
    'vhost',
    'client_properties',
  ]);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`\t${vhost}\t`) && line.includes(`"${connectionName}"`))
    .map((line) => line.split('\t')[0] as string);
}

/** Closes, from the broker side, the connections of one client on one vHost (a network cut). */
export async function closeConnectionsOf(vhost: string, connectionName: string): Promise<number> {
  const pids = await connectionsOf(vhost, connectionName);
  for (const pid of pids)
    await run('rabbitmqctl', ['-q', 'close_connection', pid, 'test: broker-side close']);
  return pids.length;
}
