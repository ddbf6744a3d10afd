"""python -m tasks.extraction PATH --date YYYY-MM-DD [--format json|table] [--units PATH]"""
import argparse
import json
import sys
from datetime import date

from . import DEFAULT_UNITS_PATH, Directory, ExtractionError, extract_bytes, format_table


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tasks.extraction", description="从讲话稿中提取督办事项")
    ap.add_argument("path")
    ap.add_argument("--date", required=True, help="会议日期 YYYY-MM-DD")
    ap.add_argument("--format", choices=["json", "table"], default="table")
    ap.add_argument("--units", default=str(DEFAULT_UNITS_PATH), help="单位目录 JSON 文件")
    a = ap.parse_args(argv)
    try:
        try:
            d = date.fromisoformat(a.date)
        except ValueError:
            raise ExtractionError(f"会议日期“{a.date}”格式不正确，应为 YYYY-MM-DD。", "bad_date")
        try:
            with open(a.path, "rb") as f:
                data = f.read()
        except OSError:
            raise ExtractionError(f"无法打开文件：{a.path}", "io")
        directory = Directory.from_json_file(a.units)
        res = extract_bytes(data, a.path, d, directory=directory)
    except ExtractionError as e:
        print(f"错误：{e.message}", file=sys.stderr)
        return 2
    except Exception as e:  # never a stack trace for the user
        print(f"错误：处理文件时发生内部错误（{type(e).__name__}），请联系管理员。", file=sys.stderr)
        return 3
    if a.format == "json":
        sys.stdout.write(json.dumps(res, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_table(res) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
