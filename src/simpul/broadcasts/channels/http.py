"""Shared HTTP plumbing of the Telegram, WhatsApp and SMS adapters (httpx, one client per task).

Answers are sorted the same way for every provider:
- 2xx: sent (the provider's message id kept);
- 429: stop the batch, retry the rest after Retry-After (`BatchError`);
- 5xx, timeouts, refused connections: retry this message later; after
  `MAX_CONSECUTIVE_ERRORS` in a row the provider is treated as down (`BatchError`);
- other 4xx: failed for this message, or bounced (the address is dead) where the provider
  says so (`is_bounce`).
A timeout is ambiguous (the provider may have accepted the message): it is retried, which is
safe only where the provider honours our idempotency key (the SMS gateway); see delivery.py.
"""

import abc

import httpx

from .base import BOUNCED, FAILED, RETRY, SENT, Adapter, BatchError, ConfigError, Result

MAX_CONSECUTIVE_ERRORS = 3
DEFAULT_RETRY_AFTER = 30.0


class HttpAdapter(Adapter):
    default_base_url = ""
    required = ()

    def __init__(self, config=None):
        super().__init__(config)
        missing = [k for k in self.required if not self.credentials.get(k)]
        if missing:
            raise ConfigError(f"{self.channel}: credentials lack {', '.join(missing)}")
        self.base_url = ((config.base_url if config else "") or self.default_base_url).rstrip("/")
        seconds = float(self.credentials.get("timeout") or 10.0)
        timeout = httpx.Timeout(seconds, connect=min(5.0, seconds))
        self.client = httpx.Client(timeout=timeout, headers={"User-Agent": "Simpul/1"})

    # Subclasses say how to call the provider and read its answer.
    @abc.abstractmethod
    def request(self, m):
        """-> (url, json_body, headers)"""

    def provider_id(self, data):
        return ""

    def error_reason(self, response, data):
        return f"HTTP {response.status_code}"

    def is_bounce(self, response, data):
        return False

    def retry_after(self, response, data):
        from .base import parse_retry_after

        return parse_retry_after(response.headers.get("Retry-After"), DEFAULT_RETRY_AFTER)

    def send(self, batch):
        results = []
        errors_in_row = 0
        for m in batch:
            url, body, headers = self.request(m)
            try:
                response = self.client.post(url, json=body, headers=headers)
            except httpx.TimeoutException:
                result = Result(
                    m.dispatch_id, RETRY, error=f"{self.channel}: waktu habis (timeout)"
                )
            except httpx.HTTPError as exc:
                result = Result(m.dispatch_id, RETRY, error=f"{self.channel}: {exc}"[:500])
            else:
                result = self.judge(m, response)
                if result is None:  # 429
                    data = _json(response)
                    raise BatchError(
                        f"{self.channel}: {self.error_reason(response, data)}",
                        retry_after=self.retry_after(response, data),
                        results=results,
                    )
            results.append(result)
            errors_in_row = errors_in_row + 1 if result.status == RETRY else 0
            if errors_in_row >= MAX_CONSECUTIVE_ERRORS and len(results) < len(batch):
                raise BatchError(
                    f"{self.channel}: provider tidak menjawab ({result.error})", results=results
                )
        return results

    def judge(self, m, response):
        data = _json(response)
        code = response.status_code
        if 200 <= code < 300:
            return Result(m.dispatch_id, SENT, provider_id=str(self.provider_id(data))[:200])
        if code == 429:
            return None
        reason = f"{self.channel}: {self.error_reason(response, data)}"[:500]
        if code >= 500 or code == 408:
            return Result(m.dispatch_id, RETRY, error=reason)
        status = BOUNCED if self.is_bounce(response, data) else FAILED
        return Result(m.dispatch_id, status, error=reason)

    def close(self):
        self.client.close()


def _json(response):
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
