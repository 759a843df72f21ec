/** The part of the `ws` package (WebSocket client) the inspector probe uses; the package ships no types. */
declare module 'ws' {
  export default class WebSocket {
    constructor(url: string);
    once(event: 'open' | 'error', listener: (arg?: unknown) => void): this;
    on(event: 'message', listener: (data: unknown) => void): this;
    send(data: string): void;
    close(): void;
  }
}
