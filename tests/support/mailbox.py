"""A real SMTP server for tests (aiosmtpd), on a free local port, keeping what it receives."""
import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server took it: the envelope and the parsed mail."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


class _Keep:
    def __init__(self, box: list[Received], refused: set[str]):
        self.box, self.refused = box, refused

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if address in self.refused:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        self.box.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                 message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An SMTP server on 127.0.0.1 that can be stopped (the server is down) and started again
    on the same port."""

    def __init__(self):
        self.port = free_port()
        self.received: list[Received] = []
        self.refused: set[str] = set()  # addresses the server answers 550
        self._controller: Controller | None = None

    def start(self) -> "Mailbox":
        self._controller = Controller(_Keep(self.received, self.refused), hostname="127.0.0.1",
                                      port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
