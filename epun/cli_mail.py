"""`epun mail` lists the latest messages the local SMTP server received; `epun mail show N`
prints one (1 is the newest)."""
from .commands import CommandError, _stack_call
from .mailserver import latest, read


def register(sub):
    mail = sub.add_parser("mail", help="the messages the local SMTP server received")
    mail.add_argument("action", nargs="?", choices=["show"], help="show one message")
    mail.add_argument("n", nargs="?", type=int, help="which (1 = the newest)")
    mail.add_argument("--limit", type=int, default=20, help="how many to list (default 20)")
    mail.set_defaults(run=_stack_call(_mail))


def _mail(args, stack):
    if args.action == "show":
        if not args.n or args.n < 1:
            raise CommandError("which message? epun mail show N (1 = the newest)")
        try:
            message = read(stack.mail_dir, args.n)
        except LookupError as exc:
            raise CommandError(str(exc))
        print(_shown(message))
        return
    rows = latest(stack.mail_dir, args.limit)
    if not rows:
        print(f"no mail yet in {stack.mail_dir}")
    for row in rows:
        print(f"{row['n']:>3}  {row['when']:%Y-%m-%d %H:%M:%S}  {row['to']:<40.40}  "
              f"{row['subject']}")


def _shown(message) -> str:
    head = "\n".join(f"{k}: {' '.join(str(message[k]).split())}"
                     for k in ("From", "To", "Date", "Subject", "Message-ID") if message[k])
    body = message.get_body(preferencelist=("plain",))
    parts = [p.get_content_type() for p in message.walk() if not p.is_multipart()]
    return f"{head}\nParts: {', '.join(parts)}\n\n{body.get_content() if body else ''}"
