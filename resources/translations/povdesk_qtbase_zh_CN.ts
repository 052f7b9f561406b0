<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt strings changed after Qt 6.4, so qtbase_zh_CN.qm (6.4) does not have them. Compile with
     `.venv/bin/pyside6-lrelease resources/translations/povdesk_qtbase_zh_CN.ts`; never edit the .qm by hand. -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
</TS>
