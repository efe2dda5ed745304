-- setting.sql: the current value of the parameter :'name'.
SELECT current_setting(:'name');
