import { BaseRpcContext } from '@nestjs/microservices';
import type { MsgHdrs } from '@autoweave/messaging';

/** What a handler can ask about the message it is handling (`@Ctx() ctx: BusContext`). */
export class BusContext extends BaseRpcContext<[string, MsgHdrs | undefined]> {
  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }
}
