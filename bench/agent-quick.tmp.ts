import { benchAgent } from './agent.ts';
console.log(JSON.stringify(await benchAgent({ turns: 1000, concurrentConversations: 300, postgresUrl: process.env.PG ?? null }), null, 1));
