/** One rendered SMS on its way to a gateway. */
export interface SmsMessage {
  /** Our outbox id; gateways that support it get it as a correlation id (Aliyun: OutId). */
  id?: string;
  /** Mainland mobile number, 11 digits. */
  phone: string;
  /** Our template name; template-based gateways map it to their own template code. */
  template: string;
  /** Template variables, already strings. */
  params: Record<string, string>;
  /** The full text as the person will read it, for gateways that send free text and for logs. */
  text: string;
}

/**
 * A delivery channel. `send` resolves once the gateway has accepted the message and rejects otherwise;
 * an error whose `retryable` is false tells the outbox not to try again (e.g. an invalid number).
 */
export interface SmsProvider {
  readonly name: string;
  /**
   * The outbox row is itself the delivery (the dev outbox page, development only): the worker leaves
   * the message's secret parameters in it. Every real gateway leaves this unset, and the worker
   * redacts them once the gateway has the message (or gave up).
   */
  readonly deliversToOutbox?: boolean;
  send(msg: SmsMessage): Promise<{ providerMessageId: string }>;
}
