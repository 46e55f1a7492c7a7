"""One YAML loader for every file the workbook reads: no anchors or aliases, no tags, no duplicate keys, bounded."""

from __future__ import annotations

import os
from pathlib import Path

from casplan.errors import UnreadableFileError
from casplan.io.sources import Limits, Source, one_line, read_source

__all__ = ["YAML_MAX_BYTES", "YAML_MAX_DEPTH", "load_yaml", "read_yaml", "read_yaml_source", "decode_text",
           "read_json"]

# --- YAML: one loader for every file the workbook reads ---------------------------------------

YAML_MAX_BYTES = 2 * 1024 * 1024
YAML_MAX_DEPTH = 64


def _yaml_loader():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(base):  # type: ignore[misc, valid-type]
        """Safe loading with duplicate keys refused."""

    def mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        seen: dict = {}
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, f"键「{key!r}」不能用作键", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"键「{key}」重复出现（第 {seen[key]} 行与第 {key_node.start_mark.line + 1} 行）",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return {loader.construct_object(k, deep=deep): loader.construct_object(v, deep=deep) for k, v in node.value}

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return base, _Loader


def load_yaml(text: str, *, source: str) -> object:
    """Parse YAML text safely: no anchors/aliases (&, *), no Python tags, no duplicate keys.

    Bounded: at most :data:`YAML_MAX_BYTES` and :data:`YAML_MAX_DEPTH` levels of nesting, so an
    alias bomb or a deep nest is refused in milliseconds.

    Raises
    ------
    UnreadableFileError
        With a Chinese message naming ``source`` and, where known, the line.

    >>> load_yaml("a: 1\\nb: [x, y]", source="t.yaml")
    {'a': 1, 'b': ['x', 'y']}
    >>> load_yaml("a: &x [1]\\nb: *x", source="t.yaml")
    Traceback (most recent call last):
    ...
    casplan.errors.UnreadableFileError: t.yaml 第 1 行使用了锚点或别名（& 或 *），本工作簿不接受；请把内容直接写出
    """
    import yaml

    if len(text.encode("utf-8")) > YAML_MAX_BYTES:
        raise UnreadableFileError(f"{source} 超过 {YAML_MAX_BYTES // 1048576} MB，不像是本工作簿的 YAML 文件", file=source)
    base, loader = _yaml_loader()

    def where(mark) -> str:
        return f" 第 {mark.line + 1} 行" if mark is not None else ""

    try:
        depth = 0
        for event in yaml.parse(text, Loader=base):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise UnreadableFileError(f"{source}{where(event.start_mark)}使用了锚点或别名（& 或 *），本工作簿不接受；"
                                          "请把内容直接写出", file=source)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > YAML_MAX_DEPTH:
                    raise UnreadableFileError(f"{source}{where(event.start_mark)}嵌套超过 {YAML_MAX_DEPTH} 层，"
                                              "不像是本工作簿的 YAML 文件", file=source)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.constructor.ConstructorError as exc:
        problem = str(exc.problem or "")
        if "could not determine a constructor" in problem:
            tag = problem.split("tag", 1)[-1].strip(" '")
            raise UnreadableFileError(f"{source}{where(exc.problem_mark)}含有不允许的标签「{tag}」；"
                                      "本工作簿只读取普通的文字、数字、日期、列表和键值表", file=source) from None
        raise UnreadableFileError(f"{source}{where(exc.problem_mark)}：{problem}", file=source) from None
    except yaml.reader.ReaderError as exc:  # its message quotes the text around the character: never echoed
        raise UnreadableFileError(f"{source} 第 {text.count(chr(10), 0, exc.position) + 1} 行有 YAML 不允许的字符"
                                  f"（U+{exc.character:04X}，如空字符、控制字符）；请用文本编辑器删去后另存",
                                  file=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise UnreadableFileError(f"{source}{where(mark)}不是有效的 YAML：{one_line(problem)[:120]}", file=source) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # 2023-02-30, !!int abc, nesting too deep
        raise UnreadableFileError(f"{source} 中有无法识别的值（{exc}）；请检查其中的日期是否存在（如 2023-02-30）"
                                  "以及方括号、花括号是否成对", file=source) from None


def read_yaml_source(path: str | os.PathLike, *, kind: str) -> tuple[object, Source]:
    """Read a YAML file (decisions, scenarios, report parameters …) once: its data and :class:`Source`."""
    p = Path(path)
    data, source = read_source(p, kind=kind, limits=Limits(max_file_bytes=YAML_MAX_BYTES))
    return load_yaml(decode_text(data, str(p)), source=str(p)), source


def decode_text(data: bytes, name: str) -> str:
    """A small text file (YAML): UTF-8 (with or without BOM), or UTF-16 with its BOM (Windows' “Unicode”)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(f"{name}：不是 UTF-8 编码的文字文件；请用文本编辑器另存为 UTF-8", file=name) from None


def read_yaml(path: str | os.PathLike) -> object:
    """Parse a small YAML file (overrides, scenarios); errors name the file and line."""
    return read_yaml_source(path, kind="yaml")[0]


def read_json(path: str | os.PathLike, *, kind: str, max_bytes: int = 8 << 20) -> tuple[object, Source]:
    """A small JSON file (a previous run's selection or manifest), bounded and read once."""
    import json

    data, source = read_source(path, kind=kind, limits=Limits(max_file_bytes=max_bytes))
    try:
        return json.loads(decode_text(data, str(path))), source
    except (ValueError, RecursionError) as exc:
        raise UnreadableFileError(f"{path}：不是有效的 JSON 文件（{one_line(str(exc))[:80]}）", file=str(path)) from None
