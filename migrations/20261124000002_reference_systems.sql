-- The brokerage's business systems and their modules. Incidents, help articles, routing and
-- reports all refer to these rows; codes are stable identifiers used in URLs (/help/s/{code}).
CREATE TABLE systems (
    id         SMALLINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT     NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name_zh    TEXT     NOT NULL,
    name_en    TEXT     NOT NULL,
    sort_order INT      NOT NULL,
    active     BOOLEAN  NOT NULL DEFAULT TRUE
);

CREATE TABLE system_modules (
    id         INT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id  SMALLINT NOT NULL REFERENCES systems (id),
    code       TEXT     NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name_zh    TEXT     NOT NULL,
    name_en    TEXT     NOT NULL,
    sort_order INT      NOT NULL,
    active     BOOLEAN  NOT NULL DEFAULT TRUE,
    UNIQUE (system_id, code)
);

INSERT INTO systems (code, name_zh, name_en, sort_order) VALUES
    ('account_opening', '开户',     'Account opening',         10),
    ('account',         '账户',     'Accounts',                20),
    ('trading',         '交易',     'Trading',                 30),
    ('custody',         '三方存管', 'Third-party custody',     40),
    ('margin',          '融资融券', 'Margin trading',          50),
    ('wealth',          '理财',     'Wealth management',       60),
    ('app',             '行情/App', 'Market data & App',       70);

INSERT INTO system_modules (system_id, code, name_zh, name_en, sort_order)
SELECT s.id, m.code, m.name_zh, m.name_en, m.sort_order
FROM (VALUES
    ('account_opening', 'online',          '线上开户',       'Online account opening',      10),
    ('account_opening', 'branch',          '临柜开户',       'Branch account opening',      20),
    ('account_opening', 'video_witness',   '视频见证',       'Video verification',          30),
    ('account_opening', 'risk_assessment', '风险测评',       'Risk assessment',             40),
    ('account',         'fund_account',    '资金账号',       'Fund account',                10),
    ('account',         'shareholder_card','股东卡',         'Shareholder card',            20),
    ('account',         'password',        '密码与登录',     'Password and sign-in',        30),
    ('account',         'profile',         '资料变更',       'Profile changes',             40),
    ('account',         'closing',         '销户',           'Account closing',             50),
    ('trading',         'orders',          '委托下单',       'Order entry',                 10),
    ('trading',         'cancel',          '撤单',           'Order cancellation',          20),
    ('trading',         'fills',           '成交与持仓查询', 'Fills and positions',         30),
    ('trading',         'ipo',             '新股申购',       'IPO subscription',            40),
    ('trading',         'connect',         '港股通',         'Stock Connect',               50),
    ('custody',         'transfer',        '银证转账',       'Bank-securities transfer',    10),
    ('custody',         'binding',         '存管银行绑定',   'Custody bank binding',        20),
    ('custody',         'bank_change',     '变更存管银行',   'Custody bank change',         30),
    ('margin',          'credit_account',  '信用账户',       'Credit account',              10),
    ('margin',          'credit_line',     '授信额度',       'Credit line',                 20),
    ('margin',          'collateral',      '担保品',         'Collateral',                  30),
    ('margin',          'liquidation',     '平仓',           'Forced liquidation',          40),
    ('wealth',          'funds',           '基金',           'Funds',                       10),
    ('wealth',          'certificates',    '收益凭证',       'Income certificates',         20),
    ('wealth',          'products',        '理财产品',       'Wealth products',             30),
    ('wealth',          'investment_plan', '定投',           'Regular investment plans',    40),
    ('app',             'quotes',          '行情',           'Market quotes',               10),
    ('app',             'login',           'App 登录',       'App sign-in',                 20),
    ('app',             'crash',           '闪退与卡顿',     'Crashes and freezes',         30),
    ('app',             'push',            '消息推送',       'Push notifications',          40)
) AS m (system_code, code, name_zh, name_en, sort_order)
JOIN systems s ON s.code = m.system_code;
