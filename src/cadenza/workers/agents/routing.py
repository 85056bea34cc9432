"""Choosing the model for a call, falling back when it fails, and caching deterministic answers.

Models are registered by name. An agent names a model, or a tier (``simple``, ``standard``...) that the
tenant's configuration (else the global one) maps to a model, or neither (the tenant's default). When a call
fails transiently (429, 5xx, Anthropic's 529 overload, a timeout, a lost connection) the router tries the
model's fallbacks in order: another model or another provider. A request error (400, a bad key) is not
retried elsewhere: another model would refuse it too, and hiding it would only hide the bug.

A request with temperature 0 is deterministic enough to cache: the same tenant, model, system, messages and
tools give the cached response, with no call and no cost.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cadenza.workers.agents.codec import request_digest
from cadenza.workers.agents.model import Model, ModelError, ModelRequest, ModelResponse

__all__ = ["Answer", "ModelRouter", "RoutingError", "TenantRouting"]


class RoutingError(ValueError):
    """No model by that name or tier: a configuration or model error, not worth a retry."""


@dataclass(frozen=True, slots=True)
class TenantRouting:
    tiers: Mapping[str, str] = field(default_factory=dict)
    fallbacks: Mapping[str, Sequence[str]] = field(default_factory=dict)
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    response: ModelResponse
    #: the registered name of the model that answered
    model: str
    cached: bool = False
    #: the failures before it, one text each (``fast: overloaded (529): ...``)
    failures: tuple[str, ...] = ()


class ModelRouter:
    def __init__(
        self,
        models: Mapping[str, Model],
        *,
        default: str | None = None,
        tiers: Mapping[str, str] | None = None,
        fallbacks: Mapping[str, Sequence[str]] | None = None,
        tenants: Mapping[str, TenantRouting] | None = None,
        cache_size: int = 256,
    ) -> None:
        self.models = dict(models)
        self._global = TenantRouting(dict(tiers or {}), dict(fallbacks or {}), default)
        self._tenants = dict(tenants or {})
        self._cache: OrderedDict[str, Answer] = OrderedDict()
        self._cache_size = cache_size
        for where, routing in [
            ("", self._global),
            *((f"tenant {t!r}: ", r) for t, r in self._tenants.items()),
        ]:
            named = [*routing.tiers.values(), *(n for f in routing.fallbacks.values() for n in f)]
            named += [*routing.fallbacks, *([routing.default] if routing.default else [])]
            for name in named:
                if name not in self.models:
                    raise RoutingError(f"{where}routing names an unknown model {name!r}")

    async def aclose(self) -> None:
        """Closes the models' HTTP clients (those that have one)."""
        for model in self.models.values():
            close = getattr(model, "aclose", None)
            if close is not None:
                await close()

    def resolve(self, *, tenant: str, model: str | None = None, tier: str | None = None) -> str:
        """The registered model name for an agent of ``tenant`` asking for ``model`` or ``tier``."""
        own = self._tenants.get(tenant, TenantRouting())
        if model:
            name = model
        elif tier:
            name = own.tiers.get(tier) or self._global.tiers.get(tier) or ""
            if not name:
                raise RoutingError(f"no model for tier {tier!r} (tenant {tenant!r})")
        else:
            name = own.default or self._global.default or (next(iter(self.models), ""))
        if name not in self.models:
            raise RoutingError(f"unknown model {name!r}; known: {', '.join(sorted(self.models)) or 'none'}")
        return name

    def chain(self, name: str, tenant: str) -> tuple[str, ...]:
        own = self._tenants.get(tenant, TenantRouting())
        fallbacks = own.fallbacks.get(name, self._global.fallbacks.get(name, ()))
        return (name, *(f for f in fallbacks if f != name))

    async def complete(self, name: str, request: ModelRequest, *, tenant: str) -> Answer:
        """The first answer along ``name``'s fallback chain; raises the last ModelError when none answers."""
        # the tenant is part of the key: no tenant is ever answered from another's cache
        key = (
            f"{tenant}\0{request_digest(name, request)}"
            if request.temperature == 0 and self._cache_size
            else None
        )
        if key is not None and key in self._cache:
            self._cache.move_to_end(key)
            hit = self._cache[key]
            return Answer(hit.response, hit.model, cached=True)
        failures: list[str] = []
        last: ModelError | None = None
        for candidate in self.chain(name, tenant):
            model = self.models.get(candidate)
            if model is None:
                raise RoutingError(f"fallback names an unknown model {candidate!r}")
            try:
                response = await model.complete(request)
            except ModelError as error:
                failures.append(str(error))
                if not error.transient:
                    raise
                last = error
                continue
            answer = Answer(response, candidate, failures=tuple(failures))
            if key is not None:
                self._remember(key, answer)
            return answer
        assert last is not None  # a chain holds at least the model itself
        raise last

    def _remember(self, key: str, answer: Answer) -> None:
        self._cache[key] = answer
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
