"""Prompt rendering (sandboxed, strict) and provider strings."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader

from worldloom.infrastructure.llm import (
    PromptRenderer,
    PromptRenderingError,
    PromptSpec,
    ProviderConfigError,
    parse_provider,
)
from worldloom.infrastructure.llm.provider import read_api_key
from worldloom.prompts.catalog import EXAMPLES, PROMPTS
from worldloom.prompts.region import REGION_PROMPT, RegionFacts, RegionText


@pytest.mark.parametrize("spec", PROMPTS, ids=lambda s: s.name)
def test_every_prompt_renders_its_examples(spec: PromptSpec[RegionFacts, RegionText]) -> None:
    renderer = PromptRenderer()
    examples = EXAMPLES[spec.name]
    assert examples
    for facts in examples:
        prompt = renderer.render(spec, facts)
        assert prompt.system
        assert prompt.user
        assert "{{" not in prompt.user
        assert len(prompt.template_hash) == 64


def test_missing_fact_is_an_error_not_a_blank() -> None:
    renderer = PromptRenderer(
        DictLoader(
            {
                "region.j2": "{% block system %}x{% endblock %}"
                "{% block user %}{{ nonexistent }}{% endblock %}"
            }
        )
    )
    with pytest.raises(PromptRenderingError, match="nonexistent"):
        renderer.render(REGION_PROMPT, RegionFacts(biome="b", climate="c", danger_level=1))


def test_template_without_message_blocks_is_rejected() -> None:
    renderer = PromptRenderer(DictLoader({"region.j2": "just text"}))
    with pytest.raises(PromptRenderingError, match="block system"):
        renderer.render(REGION_PROMPT, RegionFacts(biome="b", climate="c", danger_level=1))


def test_sandbox_blocks_attribute_escapes() -> None:
    renderer = PromptRenderer(
        DictLoader(
            {
                "region.j2": "{% block system %}"
                "{{ biome.__class__.__mro__ }}{% endblock %}"
                "{% block user %}u{% endblock %}"
            }
        )
    )
    with pytest.raises(PromptRenderingError):
        renderer.render(REGION_PROMPT, RegionFacts(biome="b", climate="c", danger_level=1))


def test_wrong_facts_type_is_rejected() -> None:
    from worldloom.prompts.lore import WorldFacts

    with pytest.raises(PromptRenderingError, match="expects RegionFacts"):
        PromptRenderer().render(REGION_PROMPT, WorldFacts(regions=("A",)))  # type: ignore[arg-type]  # the point of the test


@pytest.mark.parametrize(
    ("text", "kind", "model", "url"),
    [
        ("none", "none", "procedural", None),
        ("embedded", "embedded", "SmolLM2-135M-Instruct.Q4_1", None),
        ("ollama/llama3.2", "ollama", "llama3.2", "http://127.0.0.1:11434"),
        (" openai/gpt-4.1-mini ", "openai", "gpt-4.1-mini", "https://api.openai.com/v1"),
    ],
)
def test_provider_strings(text: str, kind: str, model: str, url: str | None) -> None:
    spec = parse_provider(text, environ={})
    assert (spec.kind, spec.model, spec.base_url) == (kind, model, url)


def test_provider_urls_come_from_the_environment() -> None:
    env = {
        "WORLDLOOM_OLLAMA_URL": "http://gpu-box:11434/v1/",
        "WORLDLOOM_OPENAI_BASE_URL": "https://llm.example/v1",
    }
    assert parse_provider("ollama/qwen3", environ=env).base_url == "http://gpu-box:11434/v1"
    assert parse_provider("openai/x", environ=env).base_url == "https://llm.example/v1"


@pytest.mark.parametrize(
    "text", ["gpt4", "claude/opus", "anthropic/", "ollama/", "ollama", "", "local"]
)
def test_bad_provider_strings_name_the_problem(text: str) -> None:
    with pytest.raises(ProviderConfigError, match=repr(text)):
        parse_provider(text, environ={})


def test_openai_key_only_from_the_environment() -> None:
    spec = parse_provider("openai/gpt-4.1-mini", environ={})
    with pytest.raises(ProviderConfigError, match="OPENAI_API_KEY"):
        read_api_key(spec, environ={})
    assert read_api_key(spec, environ={"OPENAI_API_KEY": "sk-test"}) == "sk-test"
    assert "sk-test" not in repr(spec)
