/** Reply of `<service>.ping`. */
export interface PingReply {
  service: string;
  instance: string;
  version: string;
  uptimeSeconds: number;
}
